OK_FORMAT = True

test = {   'name': 'q1',
    'points': 2,
    'suites': [   {   'cases': [{'code': '>>> assert output_size(5, 3, 0, 1) == 3\n', 'failure_message': 'a 3-wide kernel fits 3 times in 5 pixels', 'hidden': False, 'locked': False, 'points': 1}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
