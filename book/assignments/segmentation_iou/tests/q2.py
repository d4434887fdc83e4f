OK_FORMAT = True

test = {   'name': 'q2',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> t = np.array([[0, 0, 1], [1, 1, 2]])\n'
                                               '>>> p = np.array([[0, 1, 1], [1, 1, 0]])\n'
                                               '>>> assert abs(mean_iou(t, p, 3, void=9) - (1 / 3 + 3 / 4 + 0) / 3) < 1e-09\n',
                                       'failure_message': 'the mean of 1/3, 3/4 and 0',
                                       'hidden': False,
                                       'locked': False,
                                       'points': 1}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
