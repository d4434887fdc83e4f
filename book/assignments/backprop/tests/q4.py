OK_FORMAT = True

test = {   'name': 'q4',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> assert np.mean(losses[-40:]) < 0.5 * losses[0]\n',
                                       'failure_message': 'five epochs of gradient descent should at least halve the loss',
                                       'hidden': False,
                                       'locked': False,
                                       'points': 1}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
